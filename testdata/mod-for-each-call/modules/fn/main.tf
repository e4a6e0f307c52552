variable "name" {}
variable "role_arn" {}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = var.role_arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "fn.zip"
}
