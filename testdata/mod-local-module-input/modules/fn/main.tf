variable "role_arn" {
  type = string
}

resource "aws_lambda_function" "this" {
  function_name = "fn"
  role          = var.role_arn
}
