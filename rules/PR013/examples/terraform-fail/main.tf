# NotResource in an Allow of PassRole: every role but the one listed may be passed, administrator
# roles and roles created later included. PR013 points at the NotResource element.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect      = "Allow"
      Action      = "iam:PassRole"
      NotResource = "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"
    }]
  })
}
