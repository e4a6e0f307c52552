# Terraform accepts an object with a repeated key and keeps the last value. Here a merge left two
# `Resource` keys in one statement: the one Terraform keeps is "*", so the grant is on every role
# (PR010 on line 20, the kept key). The repeated `Name` tag must not hide the rest of the file.

locals {
  tags = {
    Name  = "deploy"
    Team  = "platform"
    Name  = "deployer"
  }
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/deploy/*", Resource = "*"
    }]
  })
  tags = local.tags
}
