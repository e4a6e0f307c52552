# Three grant findings: PR010 (error, line 16), PR011 (warning, line 17), PR015 (note, line 16).
# The passrole.toml files of testdata/config/keys are run against it with --config.
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "ci_deploy" {
  name = "ci-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["iam:PassRole", "s3:GetObject"], Resource = "*" },
      { Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/deploy-*" },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.ci_deploy.arn
}
