# iam:* grants iam:PassRole too: on "*" that is PassRole on every role (PR010 at the Resource),
# and PassRole shares the statement with every other IAM action (PR015 at the Action).
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:*"
      Resource = "*"
    }]
  })
}
