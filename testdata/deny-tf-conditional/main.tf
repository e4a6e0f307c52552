# A Deny with a condition denies only when the condition holds (here: outside eu-west-1), so the
# Allow on "*" is still a grant on every role: PR010, with the conditional Deny shown beside it.
resource "aws_iam_role" "deployer" {
  name = "deployer"
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
      Statement = [
        {
          Effect   = "Allow"
          Action   = "iam:PassRole"
          Resource = "*"
        },
        {
          Effect    = "Deny"
          Action    = "iam:PassRole"
          Resource  = "*"
          Condition = { StringNotEquals = { "aws:RequestedRegion" = "eu-west-1" } }
        },
      ]
    })
  }
}
