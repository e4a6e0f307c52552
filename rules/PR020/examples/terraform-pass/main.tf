# The same developer, but the roles under /app/ allow no more than the developer already may do:
# reading one bucket. Passing them gains nothing.
resource "aws_iam_user" "developer" {
  name = "developer"
}

resource "aws_iam_user_policy" "developer" {
  user = aws_iam_user.developer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ec2:*", "s3:*"], Resource = "*" },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}

resource "aws_iam_role" "reader" {
  name = "reader"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
  inline_policy {
    name   = "read"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::app-data/*" }] })
  }
}

resource "aws_iam_instance_profile" "reader" {
  name = "reader"
  role = aws_iam_role.reader.name
}
