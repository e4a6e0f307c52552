variable "role_arn" {
  type = string
}

variable "aliases" {
  type    = map(string)
  default = { live = "1", canary = "2" }
}

resource "aws_lambda_function" "this" {
  for_each = var.aliases

  function_name = "fn-${each.key}"
  role          = var.role_arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/fn.zip"
}
