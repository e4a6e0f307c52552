# The account is unknown, but the path scopes the grant: no finding.
variable "account_id" {
  type = string
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::${var.account_id}:role/app/*"
    }]
  })
}
