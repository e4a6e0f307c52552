# Roles passed inside dynamic blocks: each element's role is checked at the passing expression, and a
# role ARN whose account is unknown still names the role defined in the scan.

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "hooks" {
  name = "hooks"
  path = "/ops/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

variable "hooks" {
  default = [{ name = "drain", transition = "autoscaling:EC2_INSTANCE_TERMINATING" }]
}

resource "aws_autoscaling_group" "workers" {
  name     = "workers"
  max_size = 2
  min_size = 1

  dynamic "initial_lifecycle_hook" {
    for_each = var.hooks
    content {
      name                 = initial_lifecycle_hook.value.name
      lifecycle_transition = initial_lifecycle_hook.value.transition
      role_arn             = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ops/hooks"
    }
  }
}

variable "unknown_hooks" {}

resource "aws_autoscaling_group" "others" {
  name     = "others"
  max_size = 2
  min_size = 1

  dynamic "initial_lifecycle_hook" {
    for_each = var.unknown_hooks
    content {
      name                 = initial_lifecycle_hook.value.name
      lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
      role_arn             = initial_lifecycle_hook.value.role_arn
    }
  }
}

locals {
  batch_hooks = {
    drain = { role = aws_iam_role.hooks.arn }
  }
}

resource "aws_autoscaling_group" "batch" {
  name     = "batch"
  max_size = 2
  min_size = 1

  dynamic "initial_lifecycle_hook" {
    for_each = local.batch_hooks
    iterator = hook
    content {
      name                 = hook.key
      lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
      role_arn             = hook.value.role
    }
  }
}
