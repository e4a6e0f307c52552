# A Lambda execution role that also trusts EC2: it can be put into an instance profile and its
# credentials read on an instance. PR002 points at the extra principal.
resource "aws_iam_role" "ingest" {
  name = "ingest"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        Service = [
          "lambda.amazonaws.com",
          "ec2.amazonaws.com",
        ]
      }
    }]
  })
}

resource "aws_lambda_function" "ingest" {
  function_name = "ingest"
  role          = aws_iam_role.ingest.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "ingest.zip"
}
