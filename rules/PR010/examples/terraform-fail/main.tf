# PassRole granted on every resource: whoever holds the policy can pass any role,
# administrator roles included. PR010 points at the Resource value.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}
