# Modules nested three deep: the variable is threaded through each level.
resource "aws_iam_role" "sfn" {
  name               = "sfn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

module "app" {
  source = "./app"
  role   = aws_iam_role.sfn.arn
}
