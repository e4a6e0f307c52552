variable "name" {
  type = string
}

variable "roles" {
  type = object({
    task   = string
    worker = string
  })
}

resource "aws_ecs_task_definition" "api" {
  family                = "${var.name}-api"
  task_role_arn         = var.roles.task
  container_definitions = jsonencode([{ name = "api", image = "public.ecr.aws/nginx/nginx:stable" }])
}

resource "aws_lambda_function" "worker" {
  function_name = "${var.name}-worker"
  role          = var.roles["worker"]
  runtime       = "python3.12"
  handler       = "worker.handler"
  filename      = "worker.zip"
}
