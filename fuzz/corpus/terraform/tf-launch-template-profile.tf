# A launch template's nested iam_instance_profile { arn = ... } block uses the profile: PR001 (the
# role trusts ECS tasks, not EC2) at the block's arn argument, once.
resource "aws_iam_role" "nodes" {
  name = "nodes"
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

resource "aws_iam_instance_profile" "nodes" {
  name = "nodes"
  role = aws_iam_role.nodes.name
}

resource "aws_launch_template" "nodes" {
  name          = "nodes"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  iam_instance_profile {
    arn = aws_iam_instance_profile.nodes.arn
  }
}
