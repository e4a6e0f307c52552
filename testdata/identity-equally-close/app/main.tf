resource "aws_lambda_function" "deploy" {
  function_name = "deploy"
  role          = "arn:aws:iam::123456789012:role/deployer"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "deploy.zip"
}
