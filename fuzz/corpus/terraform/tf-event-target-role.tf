# An EventBridge target that runs an ECS task uses role_arn to call ECS; EventBridge assumes that
# role, so it must trust events.amazonaws.com. This one trusts ecs-tasks.amazonaws.com: PR001 at role_arn.
resource "aws_iam_role" "scheduler" {
  name = "scheduler"
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

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "nightly"
  schedule_expression = "cron(0 2 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule     = aws_cloudwatch_event_rule.nightly.name
  arn      = "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs"
  role_arn = aws_iam_role.scheduler.arn
  ecs_target {
    task_definition_arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/nightly:1"
  }
}
