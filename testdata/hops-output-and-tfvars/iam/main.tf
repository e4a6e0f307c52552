resource "aws_iam_role" "api" {
  name = "api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.api.arn
}
