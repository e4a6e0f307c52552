# The repeated key that Terraform keeps is the last one: here the scoped path, so the earlier "*"
# grants nothing and there is nothing to report. The trust policy's repeated `Service` key keeps
# lambda.amazonaws.com, the principal of the service the role is passed to.

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
      Resource = "arn:aws:iam::123456789012:role/deploy/*"
    }]
  })
}

resource "aws_iam_role" "fn" {
  name = "fn"
  path = "/deploy/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com", Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "fn.zip"
}
