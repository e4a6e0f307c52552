# An inline role policy (aws_iam_role_policy) is an identity policy: its PassRole grant on "*" is
# PR010. Its `role` argument attaches the policy; it does not pass the role to any service.
resource "aws_iam_role" "ci" {
  name = "ci"
  path = "/ci/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "ci" {
  name = "deploy"
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}
