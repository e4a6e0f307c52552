variable "policy_arn" {
  type = string
}

resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_user" "ops" {
  for_each = toset(["ann", "bob"])
  name     = each.key
}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_ssoadmin_permission_set" "deploy" {
  name         = "Deploy"
  instance_arn = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
}

resource "aws_iam_group_membership" "admins" {
  name  = "admins-membership"
  group = aws_iam_group.admins.name
  users = [
    aws_iam_user.dev.name,
    "ann",
    "carol",
  ]
}

resource "aws_iam_user_group_membership" "dev" {
  user   = "dev"
  groups = [aws_iam_group.admins.name, "outsiders"]
}

resource "aws_iam_user_policy_attachment" "read_only" {
  user       = "dev"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_group_policy_attachment" "customer" {
  group      = aws_iam_group.admins.name
  policy_arn = "arn:aws:iam::123456789012:policy/x"
}

resource "aws_iam_group_policy_attachment" "admin" {
  group      = "admins"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy_attachment" "from_var" {
  role       = "worker"
  policy_arn = var.policy_arn
}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    aws_iam_policy.own.arn,
  ]
}

resource "aws_iam_policy" "own" {
  name = "own"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
