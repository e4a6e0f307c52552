# iam:P?ssRole matches iam:PassRole (and no other action): PassRole on every resource, PR010 at
# the Resource. It grants no other action, so not PR015.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:P?ssRole"
      Resource = "*"
    }]
  })
}
