# The EC2 example of AWS's PassRole guidance: a developer may run instances (ec2:*) and pass the
# roles under /app/. One role under /app/ is an operations role in an instance profile that may do
# anything in S3 and DynamoDB: the developer can launch an instance with it and act with those
# permissions. PR020 is at the PassRole Resource (the grant is path-scoped, so PR010 is silent).
resource "aws_iam_user" "developer" {
  name = "developer"
}

resource "aws_iam_user_policy" "developer" {
  user = aws_iam_user.developer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "ec2:*", Resource = "*" },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}

resource "aws_iam_role" "ops" {
  name = "ops"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
  inline_policy {
    name   = "data"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*", "dynamodb:*"], Resource = "*" }] })
  }
}

resource "aws_iam_instance_profile" "ops" {
  name = "ops"
  role = aws_iam_role.ops.name
}
