# A role ARN given in terraform.tfvars is linked to the role defined in the scan.
variable "execution_role_arn" {
  type = string
}

resource "aws_iam_role" "exec" {
  name               = "exec"
  path               = "/ecs/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_ecs_task_definition" "app" {
  family                = "app"
  execution_role_arn    = var.execution_role_arn
  container_definitions = "[]"
}
