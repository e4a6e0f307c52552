# ECS accepts a role's name as task role: aws_iam_role.NAME.name is followed to the role, which
# trusts Lambda rather than ECS tasks. PR001 at the reference.
resource "aws_iam_role" "task" {
  name = "app-task"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_ecs_task_definition" "app" {
  family                = "app"
  task_role_arn         = aws_iam_role.task.name
  container_definitions = jsonencode([{ name = "app", image = "nginx:1.27", essential = true }])
}
