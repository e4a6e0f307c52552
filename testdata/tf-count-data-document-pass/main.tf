# A trust policy document per service and a role per document, both counted over the same list:
# role [i] is trusted by the service at [i].
variable "service_principals" {
  type    = list(string)
  default = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
}

data "aws_iam_policy_document" "assume" {
  count = length(var.service_principals)

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [element(var.service_principals, count.index)]
    }
  }
}

resource "aws_iam_role" "service" {
  count = length(var.service_principals)

  name               = "service-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.assume[count.index].json
}

# The ECS task gets the role trusted by ECS tasks.
resource "aws_ecs_task_definition" "app" {
  family                = "app"
  task_role_arn         = aws_iam_role.service[1].arn
  container_definitions = jsonencode([{ name = "app", image = "app:latest", essential = true }])
}
