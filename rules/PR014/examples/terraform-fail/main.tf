# PassRole does not support resource tag conditions: iam:ResourceTag/team is never evaluated for
# the passed role, so this grant never matches as intended. PR014 points at the condition key.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/app/*"
      Condition = {
        StringEquals = {
          "iam:ResourceTag/team" = "payments"
        }
      }
    }]
  })
}
