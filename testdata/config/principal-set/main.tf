# The role trusts Lambda and Step Functions; passrole.toml declares that pair a principal set,
# so PR002 (more than one service principal) stays quiet.
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "states.amazonaws.com"] }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "worker.zip"
}
