variable "functions" {
  description = "Lambda functions and the runtime role each runs with."
  type = map(object({
    handler = string
    runtime = string
  }))
  default = {
    orders  = { handler = "orders.handler", runtime = "lambda" }
    nightly = { handler = "nightly.handler", runtime = "batch" }
  }
}

# Each function gets the role its entry names: `nightly` gets the Batch role.
resource "aws_lambda_function" "fn" {
  for_each = var.functions

  function_name = each.key
  handler       = each.value.handler
  role          = aws_iam_role.runtime[each.value.runtime].arn
  runtime       = "python3.12"
  filename      = "build/${each.key}.zip"
}
