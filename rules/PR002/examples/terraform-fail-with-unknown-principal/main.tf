# The role trusts Lambda, ECS tasks, and a principal from a variable without a value: PR002 for the
# ECS principal (line 15), none for the unknown one (whether it is another service cannot be known;
# the pass is PR005's note).
variable "extra_principal" {
  type = string
}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", var.extra_principal] }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
