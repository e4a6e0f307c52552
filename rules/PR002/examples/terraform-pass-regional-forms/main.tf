# Two spellings of one service principal, the global and the regional form of Step Functions, are one
# service: not PR002 (and the state machine's principal is trusted, so not PR001).
resource "aws_iam_role" "flow" {
  name = "flow"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        Service = [
          "states.amazonaws.com",
          "states.eu-west-1.amazonaws.com",
        ]
      }
    }]
  })
}

resource "aws_sfn_state_machine" "flow" {
  name       = "flow"
  role_arn   = aws_iam_role.flow.arn
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
}
