# The module call's each.key picks the role; passrole evaluates the instances of a module call as
# one, so the key is not known there, but every team role trusts Lambda: whichever it is, the pass
# inside the module is checked and fine (the `each.key` of the function inside the module, "live" or
# "canary", is not the key of the call).
locals {
  teams = { orders = "lambda", reports = "lambda" }
}

resource "aws_iam_role" "team" {
  for_each = local.teams

  name = "team-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "${each.value}.amazonaws.com" }
    }]
  })
}

module "function" {
  source   = "./modules/function"
  for_each = local.teams

  role_arn = aws_iam_role.team[each.key].arn
}
