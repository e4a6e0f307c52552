# The optional-role idiom: the module creates a role only when none is given, and picks the one in use
# with one() over the splat or coalescelist() of the given and the created role.

variable "create_role" {
  type    = bool
  default = true
}

variable "existing_role_arns" {
  type    = list(string)
  default = []
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0
  name  = "state-machine"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "scheduler" {
  name = "scheduler"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "events.amazonaws.com" } }]
  })
}

locals {
  role_arn = one(aws_iam_role.this[*].arn)
}

# The created role trusts Lambda, not Step Functions.
resource "aws_sfn_state_machine" "this" {
  name     = "orders"
  role_arn = local.role_arn
  definition = jsonencode({
    StartAt = "Done"
    States  = { Done = { Type = "Succeed" } }
  })
}

# The EventBridge role is the only one in the list; EventBridge Scheduler has its own principal.
resource "aws_scheduler_schedule" "nightly" {
  name                = "nightly"
  schedule_expression = "rate(1 day)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_sfn_state_machine.this.arn
    role_arn = coalescelist(var.existing_role_arns, [aws_iam_role.scheduler.arn])[0]
  }
}
