variable "role_arn" {
  type = string
}

resource "aws_lambda_function" "this" {
  function_name = "worker"
  role          = var.role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
