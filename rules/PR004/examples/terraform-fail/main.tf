# One role shared by a Lambda function and a Step Functions state machine. It trusts both services,
# so PR001 and PR002 are silent, but each service gets the other's permissions: PR004 at each pass.
resource "aws_iam_role" "orders" {
  name = "orders"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "states.amazonaws.com"] }
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
