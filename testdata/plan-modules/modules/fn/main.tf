variable "role_arn" {
  type = string
}

resource "aws_lambda_function" "this" {
  function_name = "fn"
  role          = var.role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
