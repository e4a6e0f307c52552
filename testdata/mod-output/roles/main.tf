resource "aws_iam_role" "task" {
  name               = "task"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}
