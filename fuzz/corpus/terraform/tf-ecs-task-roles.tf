# A task definition passes two roles to ECS tasks: the task role trusts ecs-tasks.amazonaws.com, but
# the execution role was written for ecs.amazonaws.com (the ECS service), so PR001 at execution_role_arn.
resource "aws_iam_role" "task" {
  name = "task"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "exec" {
  name = "exec"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs.amazonaws.com" }
    }]
  })
}

resource "aws_ecs_task_definition" "app" {
  family                = "app"
  task_role_arn         = aws_iam_role.task.arn
  execution_role_arn    = aws_iam_role.exec.arn
  container_definitions = jsonencode([{ name = "app", image = "nginx:1.27", essential = true }])
}
