# codebuild: the principal may codebuild:CreateProject and codebuild:StartBuild and pass the roles under /app/; the role app/worker
# trusts codebuild.amazonaws.com and allows s3:* on *, which the principal is not allowed. PR020 at the PassRole
# Resource, in Terraform and in CloudFormation.
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "ci" {
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["codebuild:CreateProject", "codebuild:StartBuild"], Resource = "*" },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}

resource "aws_iam_role" "worker" {
  name = "worker"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
  inline_policy {
    name   = "work"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
}
