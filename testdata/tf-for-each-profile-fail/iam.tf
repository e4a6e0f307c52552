# A role and an instance profile per node group. The `jobs` entry was copied from the ECS task
# roles and still trusts ecs-tasks: its instance profile hands EC2 a role EC2 cannot assume.
locals {
  node_groups = {
    web  = { principal = "ec2.amazonaws.com" }
    jobs = { principal = "ecs-tasks.amazonaws.com" }
  }
}

resource "aws_iam_role" "node" {
  for_each = local.node_groups

  name = "node-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = each.value.principal }
    }]
  })
}

resource "aws_iam_instance_profile" "node" {
  for_each = local.node_groups

  name = "node-${each.key}"
  role = aws_iam_role.node[each.key].name
}
