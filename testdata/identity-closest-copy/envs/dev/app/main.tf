resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/app/worker"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
