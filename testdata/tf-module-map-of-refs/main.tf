# The root module creates the service's roles and hands them to the service module as one object;
# inside the module each role is read back by its attribute.

resource "aws_iam_role" "task" {
  name_prefix = "orders-task-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "worker" {
  name = "orders-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

module "orders" {
  source = "./modules/service"
  name   = "orders"
  roles = {
    task   = aws_iam_role.task.arn
    worker = aws_iam_role.worker.arn
  }
}
