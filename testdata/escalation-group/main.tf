# The grant is a group's; the user dev is a member. The role allows s3:* on *, which
# neither the group nor dev is allowed: PR020 at the group's PassRole Resource.
resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_group" "devs" {
  name = "devs"
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.dev.name]
}

resource "aws_iam_group_policy" "devs" {
  group = aws_iam_group.devs.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*" },
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
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  inline_policy {
    name   = "work"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
}
