# The bundled example: a small service with the PassRole mistakes passrole exists to catch.
# Scan it with: cargo run --release -- scan testdata/example

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# Passed to Lambda and trusts Lambda: correct.
resource "aws_iam_role" "api" {
  name               = "api"
  path               = "/app/"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}

# Passed to Step Functions, but copied from the Lambda role: Step Functions cannot assume it.
resource "aws_iam_role" "orders" {
  name               = "orders"
  path               = "/app/"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_sfn_state_machine" "orders" {
  name       = "orders"
  role_arn   = aws_iam_role.orders.arn
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
}
