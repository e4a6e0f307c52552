# A role passed by reference to its ARN (aws_iam_role.NAME.arn) to a Step Functions state machine,
# but the role trusts Lambda only: PR001 at the reference.
resource "aws_iam_role" "flow" {
  name = "flow"
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

resource "aws_sfn_state_machine" "flow" {
  name       = "flow"
  role_arn   = aws_iam_role.flow.arn
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
}
