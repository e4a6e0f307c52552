# An inline_policy block of aws_iam_role is an identity policy of that role: its PassRole grant on
# "*" is PR010. The role itself is not passed, so its trust policy is not checked.
resource "aws_iam_role" "deployer" {
  name = "deployer"
  path = "/ci/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
    }]
  })

  inline_policy {
    name = "deploy"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "*"
      }]
    })
  }
}
