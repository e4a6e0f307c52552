# The administrator statement, Action "*" on "*", grants iam:PassRole on every role (PR010 at
# the Resource) together with every other action (PR015 at the Action).
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
