# A name prefix is not a boundary: role/Dev* also matches DevOpsAdmin and every role under a
# path starting with /Dev. PR011 points at the Resource value.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/Dev*"
    }]
  })
}
