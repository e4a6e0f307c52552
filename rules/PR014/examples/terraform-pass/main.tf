# Near misses for PR014: PassRole conditioned on iam:PassedToService (which PassRole supports), and
# aws:ResourceTag used in a statement that does not grant PassRole (EC2 supports it).
resource "aws_iam_policy" "operator" {
  name = "operator"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
        Condition = {
          StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" }
        }
      },
      {
        Effect   = "Allow"
        Action   = ["ec2:StartInstances", "ec2:StopInstances"]
        Resource = "arn:aws:ec2:eu-west-1:123456789012:instance/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/team" = "payments" }
        }
      },
    ]
  })
}
