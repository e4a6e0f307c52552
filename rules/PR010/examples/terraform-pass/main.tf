# Near misses for PR010: PassRole scoped to a role path, a Deny of PassRole on "*" (Deny statements
# grant nothing), and iam:* on an S3 bucket ARN, which grants no PassRole on any role.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PassAppRoles"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
      {
        Sid      = "NeverPassOtherRoles"
        Effect   = "Deny"
        Action   = "iam:PassRole"
        Resource = "*"
      },
      {
        Sid      = "MisplacedIamWildcard"
        Effect   = "Allow"
        Action   = "iam:*"
        Resource = "arn:aws:s3:::deploy-artifacts"
      },
    ]
  })
}
