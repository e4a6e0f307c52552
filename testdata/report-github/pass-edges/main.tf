# One role for an order pipeline: handed to a Lambda function and to a Step Functions state machine
# (PR004 at each pass), while its trust policy names Lambda only (PR001 at the state machine).
resource "aws_iam_role" "orders" {
  name = "orders"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = aws_iam_role.orders.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
}

resource "aws_sfn_state_machine" "orders" {
  name       = "orders"
  role_arn   = aws_iam_role.orders.arn
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
}
