# One role passed to two Lambda functions: passed twice, but to one service, so not PR004.
resource "aws_iam_role" "api" {
  name = "api"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "read" {
  function_name = "api-read"
  role          = aws_iam_role.api.arn
  handler       = "read.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}

resource "aws_lambda_function" "write" {
  function_name = "api-write"
  role          = aws_iam_role.api.arn
  handler       = "write.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}
