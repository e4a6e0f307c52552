# Every role of every account: the account wildcard does not make role/* any narrower.
# PR010 points at the Resource value.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::*:role/*"
    }]
  })
}
