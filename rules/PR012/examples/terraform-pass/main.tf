# The only inner wildcard is in the account field; the role part ends with a path and /*, so
# the grant stays within /deploy/ and is not PR012.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::*:role/deploy/*"
    }]
  })
}
